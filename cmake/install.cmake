# SPDX-License-Identifier: BSL-1.0
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)
install(TARGETS dynalock EXPORT dynalockTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/dynalock DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT dynalockTargets NAMESPACE dynalock:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/dynalock)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/dynalockConfig.cmake.in
  ${PROJECT_BINARY_DIR}/dynalockConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/dynalock)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/dynalockConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/dynalockConfig.cmake ${PROJECT_BINARY_DIR}/dynalockConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/dynalock)
# The licence travels with every installed copy (the Boost Software License asks for it).
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/dynalock)
